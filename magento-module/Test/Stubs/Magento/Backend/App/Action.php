<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\App;

use Magento\Backend\App\Action\Context;

/**
 * Test stand-in for Magento's backend action: ACL constant, public actions and the collaborators it takes
 * from the context (Magento\Backend\App\AbstractAction and Magento\Framework\App\Action\Action read
 * the same getters). It has no dispatch(): what Magento does with $_publicActions and _isAllowed() is
 * proved against the real admin by tests/magento.
 */
abstract class Action
{
    public const ADMIN_RESOURCE = 'Magento_Backend::admin';

    /**
     * @var string[]
     */
    protected $_publicActions = []; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * @var \Magento\Framework\App\RequestInterface
     */
    protected $_request; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * @var \Magento\Framework\AuthorizationInterface
     */
    protected $_authorization; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * @var \Magento\Framework\Message\ManagerInterface
     */
    protected $messageManager;

    /**
     * @var \Magento\Backend\Model\View\Result\RedirectFactory
     */
    protected $resultRedirectFactory;

    /**
     * Take the collaborators from the context, as Magento does.
     *
     * @param Context $context
     */
    public function __construct(Context $context)
    {
        $this->_request = $context->getRequest();
        $this->_authorization = $context->getAuthorization();
        $this->messageManager = $context->getMessageManager();
        $this->resultRedirectFactory = $context->getResultRedirectFactory();
    }

    /**
     * Return the request.
     *
     * @return \Magento\Framework\App\RequestInterface
     */
    public function getRequest()
    {
        return $this->_request;
    }

    /**
     * Check the ACL resource of the action.
     *
     * @return bool
     */
    protected function _isAllowed() // phpcs:ignore PSR2.Methods.MethodDeclaration.Underscore
    {
        return $this->_authorization->isAllowed(static::ADMIN_RESOURCE);
    }

    /**
     * Execute the action.
     *
     * @return mixed
     */
    abstract public function execute();
}
