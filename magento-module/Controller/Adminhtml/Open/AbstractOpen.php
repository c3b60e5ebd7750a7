<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Controller\Adminhtml\Open;

use Gladly\Connector\Model\DeepLink\Redirect as Target;
use Gladly\Connector\Model\DeepLink\Resolver;
use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\View\Result\Redirect;
use Magento\Framework\App\Action\HttpGetActionInterface;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Phrase;

/**
 * Redirects a Gladly deep link gladlybridge/open/{entity}/id/{id}/ to its admin page, with a valid secret key.
 *
 * POST is accepted too: a logged-out agent's login form posts to the deep link itself, and only when the
 * action takes that POST does Magento log them in on this route (not on "noroute"), where
 * Plugin\Backend\StartupPagePlugin sends them back to the link. A logged-in POST needs Magento's form key.
 */
abstract class AbstractOpen extends Action implements HttpGetActionInterface, HttpPostActionInterface
{
    /**
     * Admins also need the right to follow Gladly deep links, besides the target page's ADMIN_RESOURCE.
     */
    public const OPEN_RESOURCE = 'Gladly_Connector::open';

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
     * Redirect to the record's admin page, or to the grid with an error when the id is not valid.
     *
     * @return Redirect
     */
    public function execute(): Redirect
    {
        $target = $this->resolve($this->resolver, $this->getRequest()->getParam('id'));
        if (!$target->isValid()) {
            $this->messageManager->addErrorMessage($this->invalidLinkMessage());
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

    /**
     * Ask the resolver where the link's raw "id" parameter leads.
     *
     * @param Resolver $resolver
     * @param mixed $rawId The "id" request parameter as received.
     * @return Target
     */
    abstract protected function resolve(Resolver $resolver, $rawId): Target;

    /**
     * Return the error shown when the link does not name a valid record.
     *
     * @return Phrase
     */
    abstract protected function invalidLinkMessage(): Phrase;
}
