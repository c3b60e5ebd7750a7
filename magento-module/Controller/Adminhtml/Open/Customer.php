<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Controller\Adminhtml\Open;

use Gladly\Connector\Model\DeepLink\Resolver;
use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\View\Result\Redirect;
use Magento\Framework\App\Action\HttpGetActionInterface;

/**
 * Redirects gladlybridge/open/customer/id/{id}/ to the customer edit page, with a valid secret key.
 */
class Customer extends Action implements HttpGetActionInterface
{
    /**
     * Admins need the right to view the target page...
     */
    public const ADMIN_RESOURCE = 'Magento_Customer::manage';

    /**
     * ...and the right to follow Gladly deep links.
     */
    public const OPEN_RESOURCE = 'Gladly_Connector::open';

    /**
     * Skip the secret key check for this action: the bridge cannot know the session-bound key.
     *
     * Login and ACL checks still apply; the redirect target gets a valid key from the URL builder.
     *
     * @var string[]
     */
    protected $_publicActions = ['customer']; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    private Resolver $resolver;

    /**
     * Keep the deep-link decision next to the backend action context.
     *
     * @param Context $context
     * @param Resolver $resolver
     */
    public function __construct(Context $context, Resolver $resolver)
    {
        parent::__construct($context);
        $this->resolver = $resolver;
    }

    /**
     * Redirect to the customer edit page, or to the grid with an error when the id is not valid.
     *
     * @return Redirect
     */
    public function execute(): Redirect
    {
        $target = $this->resolver->forCustomer($this->getRequest()->getParam('id'));
        if (!$target->isValid()) {
            $this->messageManager->addErrorMessage(__('This Gladly link does not name a valid customer.'));
        }
        return $this->resultRedirectFactory->create()->setPath($target->getPath(), $target->getParams());
    }

    /**
     * Require both the page's own ACL resource and the deep-link resource.
     *
     * @return bool
     */
    protected function _isAllowed(): bool // phpcs:ignore PSR2.Methods.MethodDeclaration.Underscore
    {
        return parent::_isAllowed() && $this->_authorization->isAllowed(self::OPEN_RESOURCE);
    }
}
