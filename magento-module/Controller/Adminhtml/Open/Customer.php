<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Controller\Adminhtml\Open;

use Gladly\Connector\Model\DeepLink\Redirect as Target;
use Gladly\Connector\Model\DeepLink\Resolver;
use Magento\Framework\Phrase;

/**
 * Redirects gladlybridge/open/customer/id/{id}/ to the customer edit page, with a valid secret key.
 */
class Customer extends AbstractOpen
{
    /**
     * Admins need the right to view the target page...
     */
    public const ADMIN_RESOURCE = 'Magento_Customer::manage';

    /**
     * Skip the secret key check for this action: the bridge cannot know the session-bound key.
     *
     * Login and ACL checks still apply; the redirect target gets a valid key from the URL builder.
     *
     * @var string[]
     */
    protected $_publicActions = ['customer']; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * Resolve the link to the customer edit page, or to the customer grid when the id is not valid.
     *
     * @param Resolver $resolver
     * @param mixed $rawId The "id" request parameter as received.
     * @return Target
     */
    protected function resolve(Resolver $resolver, $rawId): Target
    {
        return $resolver->forCustomer($rawId);
    }

    /**
     * Return the error shown when the link does not name a valid customer.
     *
     * @return Phrase
     */
    protected function invalidLinkMessage(): Phrase
    {
        return __('This Gladly link does not name a valid customer.');
    }
}
